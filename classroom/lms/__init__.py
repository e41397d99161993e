"""LTI 1.3 Advantage: the tool side of Moodle, Canvas and other LMS launches (/lms)."""
