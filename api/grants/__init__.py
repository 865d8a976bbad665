"""Micro-grants (Try It / Do It / Build It): rounds, applications, panel review with
conflicts of interest, awards within budget, payments, reports and 360Giving exports."""
