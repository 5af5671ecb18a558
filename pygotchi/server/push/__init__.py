"""Notifications: Web Push to browsers, Apprise to everything else, from a durable outbox.

``netguard`` keeps the server from being steered at its own network,
``vapid`` holds the server's Web Push identity, ``webpush`` and ``channels``
deliver one message each, ``courier`` drains the outbox, ``planner`` decides who
hears of a pet's event.
"""
