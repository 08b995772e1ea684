"""Streamlit entry point: page config and navigation over pages/ (see design notes section 6)."""

import streamlit as st

st.set_page_config(page_title="Central Asia corridor map", layout="wide")
st.title("Central Asia corridor map")
st.write("The app pages arrive with the app issue; the route engine is available as `corridors route`.")
