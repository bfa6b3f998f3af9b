"""The demonstration data: scenarios as data, and the history builder that loads them."""
