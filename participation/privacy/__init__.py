"""Privacy (Thailand's PDPA): consent to the notice, download my data, delete my account."""
