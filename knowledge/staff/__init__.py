"""Staff console accounts: users, passwords, sessions and login throttling.

Every function that touches the database takes a `UnitOfWork`, except
`login.log_in` and `sessions.resume_session`, which each need more than
one transaction (their docstrings say why).
"""
