"""Step 2b, the assessment: validation against the indicators, the questionnaire workbook reader."""
