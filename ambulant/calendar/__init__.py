"""A nurse's published days as an iCalendar feed, opened by a secret link of her own."""
