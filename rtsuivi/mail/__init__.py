"""Mail in and out: parsing (message), routing and threading (inbound), composing and
sending (outbound), the SMTP listener (smtpd)."""
