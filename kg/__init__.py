"""kg: a knowledge-graph builder for Shanxi local-government news."""

__version__ = "0.1.0"
