"""What moderators do: read queues, decide on comments and authors, review reports."""
