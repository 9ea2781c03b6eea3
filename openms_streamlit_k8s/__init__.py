"""The command line of the openms.streamlit_k8s collection (`streamlit-k8s`), built on ansible-runner."""
