"""certfolio: evidence portfolios for contact-centre certification."""

__version__ = "0.1.0"
