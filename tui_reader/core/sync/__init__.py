"""Syncing with a feed server the user already runs (Google Reader API or Fever API).

:mod:`.base` holds what every protocol shares: the records a server returns, the marks sent
to it, the errors, and the :class:`~.base.SyncClient` interface each protocol module
implements. The rest of the program talks to a server only through that interface.
"""
