"""The teaching kit: the facilitator guide, the worked cases' teaching notes, printable
worksheets and the exercises that check a team's workbook."""
