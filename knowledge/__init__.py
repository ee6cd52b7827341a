"""Domain services and data for 银龄通.

Everything the assistant knows or records lives behind this package: the
database (models, migrations, unit of work), the region gazetteer, Chinese
number and age parsing, and the services actions and the gateway call.
Channels never talk to the database directly; they go through these services.
"""
