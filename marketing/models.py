# The marketing domain arrives with its own issue.
