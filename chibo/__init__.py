"""chibo: party-cell meetings and new-member development for the committees of the Party."""
