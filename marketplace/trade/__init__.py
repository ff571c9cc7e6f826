"""Trade between business buyers and merchants: inquiries, quotes, and buying requests."""
