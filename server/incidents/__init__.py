"""Incidents (故障单): faults recorded with their severity and the contract's response and fix
clocks, escalated before a clock runs out, and reported monthly as met or missed."""
