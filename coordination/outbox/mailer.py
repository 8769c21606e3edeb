"""How mails leave: SMTP in production, the log in development (`MAIL_BACKEND=console`)."""

import logging
import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

log = logging.getLogger("coordination.mail")


def build_message(*, sender: str, recipient: str, subject: str, body_text: str, body_html: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] if "@" in sender else None)
    message.set_content(body_text)
    message.add_alternative(body_html, subtype="html")
    return message


class ConsoleMailer:
    def __init__(self):
        self.sent: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.sent.append(message)
        log.info("mail to %s: %s\n%s", message["To"], message["Subject"],
                 message.get_body(("plain",)).get_content())


class SmtpMailer:
    def __init__(self, *, host: str, port: int, use_tls: bool, username: str | None, password: str | None,
                 timeout: float = 30):
        self.host, self.port, self.use_tls = host, port, use_tls
        self.username, self.password, self.timeout = username, password, timeout

    def send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.use_tls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


def mailer_from_config(config) -> ConsoleMailer | SmtpMailer:
    if config.get("MAIL_BACKEND") == "console":
        return ConsoleMailer()
    return SmtpMailer(host=config["MAIL_SERVER"], port=int(config["MAIL_PORT"]), use_tls=bool(config["MAIL_USE_TLS"]),
                      username=config.get("MAIL_USERNAME"), password=config.get("MAIL_PASSWORD"))
