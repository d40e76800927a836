"""Reports: a diagnosis rendered for people (plain text, Markdown, HTML) and the data they show.

Above the result types (see ``docs/architecture.md``): each renderer takes a result and returns a
string; charts are passed in explicitly.
"""
