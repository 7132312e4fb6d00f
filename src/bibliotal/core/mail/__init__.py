"""E-mail that must arrive: an outbox in the database, delivered and retried by the worker, and
the monthly status e-mail a manager subscribes to.

- ``models``: ``OutboxMessage`` (one message with its attachment and delivery state) and
  ``StatusSubscription`` (a manager's address and language for the monthly status);
- ``outbox``: put a message in the outbox, deliver what is due (back-off on a server that is down,
  a rejected recipient marked as bounced with the server's words), the state for the
  integrations page;
- ``status``: when the monthly status is due (the first working day of the month) and the
  registry through which the reports app builds its content (core imports no other app);
- ``tasks``: the worker's tasks.
"""
