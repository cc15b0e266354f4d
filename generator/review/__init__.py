"""review wing: comparing two versions of a portfolio, reviewing links, and moving a standard
to a new release (`migrate`); may import the ground floor, portfolio and assess."""
