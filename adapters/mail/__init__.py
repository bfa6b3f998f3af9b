"""E-mail over SMTP: composing a stakeholder update as a message, and sending many over one
connection."""
