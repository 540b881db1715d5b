"""Trade parties: screening names against the restricted-party lists, and export checks of order lines.

names   -> the comparable form of a name (legal forms, scripts, transliteration; rules in kb/data/party_names.yaml)
match   -> blocking and explained scoring of one party against the indexed list entries
lists   -> the lists a run screens against (covscan.lists readers, the knowledge base's own parties) and their regimes
export  -> the export-control rules an order line meets (rules in kb/data/export_controls.yaml)
engine  -> batches of rows, each distinct party once, into findings the report writers print
run     -> opening a file: columns (columns.py), lists, index and engine
"""
