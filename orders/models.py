# The orders domain arrives with its own issue.
