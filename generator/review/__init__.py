"""review wing: comparing two versions of a portfolio and reviewing links; may import the
ground floor, portfolio and assess."""
