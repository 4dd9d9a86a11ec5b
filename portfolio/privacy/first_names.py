"""Common first names in the UK, written for this detector (not a downloaded data set).

Used beside the named-entity model, which misses some lone first names ("Chloe was quiet").
Names that are also ordinary English words or places (Grace, May, Will, Mark, Rose, Hope, Bill,
Jack as in "jack", Summer, Georgia, Chester, Florence ...) are left out: read as names they would
bring false alarms; the model and the title rule still catch them in context.
"""

from __future__ import annotations

_LISTED = """
Aaron Abdul Abigail Adam Adrian Ahmed Aidan Aiden Aisha Alan Alana Alex Alexander Alexandra Alfie
Ali Alice Alicia Alison Amanda Amber Amelia Amina Amir Amit Amy Andrea Andrew Angela Anil Anita
Ann Anna Anne Anthony Anya Archie Arjun Arthur Asha Ashley Aurora Ava Ayesha Barbara Barry Beatrice
Becky Ben Benjamin Beth Bethany Bilal Billy Bradley Brandon Brenda Brian Bryony Caitlin Callum
Calum Cameron Carl Carla Carly Carol Caroline Carys Casey Catherine Charlie Charlotte Chelsea Cheryl
Chloe Chris Christina Christine Christopher Ciara Ciaran Claire Clara Colin Connor Conor Craig
Daisy Dale Damian Damien Daniel Danielle Danny Darren Dave David Dean Debbie Deborah Declan Deepak
Denise Dennis Derek Diane Dominic Donna Dylan Eddie Edward Eileen Eleanor Elena Eliza Elizabeth
Ella Ellie Elliot Elliott Eloise Emily Emma Eric Erin Ethan Evan Evie Ewan Faisal Farah Fatima
Finley Finn Fiona Francesca Frankie Freddie Freya Gareth Gary Gavin Gemma George Gerald Gillian
Glen Glenn Gordon Graham Gurpreet Hamza Hannah Harjit Harley Harpreet Harriet Harrison Harry
Harvey Hassan Hayley Heather Helen Holly Hussain Ian Imran Isaac Isabel Isabella Isabelle Isla
Ivy Jacob Jade Jake James Jamie Jan Jane Janet Jasmine Jason Jay Jayden Jennifer Jenny Jeremy
Jessica Jill Joan Joanne Jodie Joe Joel Joey John Jonathan Jordan Joseph Josh Joshua Joy Julia
Julie Justin Kai Karen Karim Kate Katherine Kathleen Katie Kayleigh Keith Kelly Kerry Kevin
Khadija Kieran Kim Kirsty Kyle Laura Lauren Layla Leah Lee Leanne Leila Leo Leon Lewis Liam Lily
Linda Lindsay Lisa Logan Lola Louis Louise Luca Lucas Lucy Luke Lydia Lynn Lynne Maisie Malik
Mandeep Manpreet Margaret Maria Marie Marcus Martin Mary Maryam Mason Matthew Max Maya Megan
Melissa Mia Michael Michelle Mike Millie Mohamed Mohammad Mohammed Molly Muhammad Nadia Naomi
Natalie Natasha Nathan Neil Niamh Nicholas Nicola Nicole Niall Nigel Nikhil Nina Noah Nora Olivia
Oliver Oscar Owen Paige Pamela Patricia Patrick Paul Paula Pauline Peter Phoebe Poppy Priya
Rachel Rahul Rajesh Rebecca Reece Rhys Richard Ricky Riley Rob Robert Robin Rohan Ross Rosie Roy
Ruby Ruth Ryan Saira Sally Sam Samantha Samir Samuel Sandra Sara Sarah Scott Sean Shane Sharon
Shaun Sheila Shirley Simon Sinead Sion Sofia Sonia Sophia Sophie Stacey Stephanie Stephen Steve
Steven Stuart Susan Suzanne Tanya Tara Teresa Terry Theo Thomas Tim Timothy Toby Tom Tommy Tony
Tracey Tracy Tyler Usman Vanessa Victoria Vikram Vivek Wayne Wendy William Yasmin Yusuf Zach
Zachary Zainab Zara Zoe
"""
FIRST_NAMES = frozenset(_LISTED.split())
