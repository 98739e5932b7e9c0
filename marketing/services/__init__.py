"""Coupons and points: issued, used at checkout, given back by claims, expired by beat."""
