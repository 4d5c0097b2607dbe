"""Use cases: validation, rules and derived views. Takes a Store, returns plain records."""
