"""Comments from other channels: e-mail, letters and spreadsheets, mapped to their clauses.

| module | holds |
|---|---|
| ``read.py`` | .eml / .mbox / .csv / .xlsx / .docx / .txt → ``Letter`` objects and ``Problem`` notes |
| ``emails.py`` | e-mail: body and attachments, strictly decoded; sender, subject, date |
| ``letters.py`` | ``Letter``, ``Problem``, ``ReadResult``, the size limit, the text of a .docx |
| ``split.py`` | one message addressing several clauses → one piece per point, nothing lost |
| ``infer.py`` | the clause of a piece: citations, quoted headings and phrases, then similarity |
| ``importer.py`` | ``import_files``: the one path for the CLI and the drafters' upload |
"""

from comments.channels.importer import FileReport, import_files, reply_text

__all__ = ["FileReport", "import_files", "reply_text"]
