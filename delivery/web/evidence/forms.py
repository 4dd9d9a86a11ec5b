"""Forms of the evidence pages."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, HiddenField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional


class EvidenceForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    activity_date = DateField(
        "Date of the activity", validators=[InputRequired()], default=date.today
    )
    body = TextAreaField("Text (Markdown)", validators=[Optional(), Length(max=200_000)])
    situation = TextAreaField("Situation", validators=[Optional()])
    task = TextAreaField("Task", validators=[Optional()])
    action = TextAreaField("Action", validators=[Optional()])
    result = TextAreaField("Result", validators=[Optional()])
    witness_name = StringField("Witness's name", validators=[Optional(), Length(max=200)])
    witness_role = StringField("Witness's role", validators=[Optional(), Length(max=200)])
    witness_relationship = StringField(
        "Relationship to the learner", validators=[Optional(), Length(max=200)]
    )
    expected_version = HiddenField()
    preview = SubmitField("Preview")
    save = SubmitField("Save draft")


class UploadForm(FlaskForm):
    file = FileField("Attach a file", validators=[FileRequired()])
    upload = SubmitField("Upload")


class SubmitForm(FlaskForm):
    declaration = BooleanField(
        "I declare that this evidence is my own work and a true record of what happened.",
        validators=[DataRequired(message="Tick the declaration to submit.")],
    )
    submit = SubmitField("Submit for assessment")


class PlainForm(FlaskForm):
    """Only the CSRF token: for forms whose fields are lists read from the request."""
