"""Courier delivery: the carriers' published tariffs, fee quotes and shipment weights."""
