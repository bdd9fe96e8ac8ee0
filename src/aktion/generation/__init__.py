"""Generation: what a shot needs from a generative model, prompts, and consistency measures.

Plain data and CPU arithmetic only; the models themselves live in ``aktion.backends``.
"""
