"""The engine: plan a production into a shot graph, key it by content, run it, cache it."""
