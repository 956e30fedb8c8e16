"""Privacy: export and erase what is stored about an address, retention, keyed identifiers."""
