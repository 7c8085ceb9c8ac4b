"""Use cases of ova and the ports they need. Imports the domain only."""
