# The claims domain arrives with its own issue.
