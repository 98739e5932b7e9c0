# The settlement domain arrives with its own issue.
