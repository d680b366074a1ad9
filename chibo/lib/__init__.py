"""Topic-named helpers shared by two or more apps."""
