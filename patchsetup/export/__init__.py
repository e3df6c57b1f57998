"""Export: the desired setup as a CloudFormation template (pure, no AWS call).

* ``template.py``: the template, made from the create plan's requests.
* ``logical_ids.py``: stable logical IDs from names.
"""
