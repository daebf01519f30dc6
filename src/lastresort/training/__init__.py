"""Training of the built-in assessor's heads (run ``python -m lastresort.training.build``; needs ../shared data)."""
