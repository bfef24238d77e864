"""The roster: units, cadres and their roles; import and the demo district."""
