"""Signed webhooks: partners subscribe to events and JointCase posts each one to them."""
