"""The canvas: takes, clip operations and the scene's score, as passes over the graph.

``aktion.engine.graph.EXTENSIONS`` names this package's pass, so every plan honours
the production's ``canvas.yaml`` whatever else was imported."""
