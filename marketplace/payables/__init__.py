"""What Serumpun owes each merchant: an append-only ledger in rupiah, the commission rate, payouts."""
