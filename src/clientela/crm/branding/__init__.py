"""The company's name, colour and logo on the pages its customers see (survey answers,
unsubscribe) and in the mails sent to them."""
