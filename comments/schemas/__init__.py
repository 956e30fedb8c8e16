"""marshmallow at the HTTP edge: what each API accepts and what it returns."""
