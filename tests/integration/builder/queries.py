"""The GraphQL operations the tests send, named as a client would name them."""

WORKFLOW_FIELDS = """
    id name title templateId currentVersion publishedVersion publishedDagFile dagId
"""

CREATE = f"""
mutation Create($input: CreateWorkflowInput!) {{
  createWorkflow(input: $input) {{ {WORKFLOW_FIELDS} }}
}}"""

CREATE_DRAFT = """
mutation CreateDraft($input: CreateWorkflowInput!) {
  createWorkflow(input: $input) { id currentVersion problems { code message nodeId field } }
}"""

UPDATE = """
mutation Update($id: ID!, $expected: Int!, $spec: JSON!, $message: String! = "") {
  updateWorkflow(id: $id, expectedVersion: $expected, spec: $spec, message: $message) {
    number spec message createdBy problems { code message nodeId field }
  }
}"""

VALIDATE = """
mutation Validate($spec: JSON!) {
  validateWorkflow(spec: $spec) { code message nodeId field }
}"""

PUBLISH = f"""
mutation Publish($id: ID!, $version: Int!) {{
  publishWorkflow(id: $id, version: $version) {{
    published dagId dagFile version problems {{ code message nodeId field }}
    workflow {{ {WORKFLOW_FIELDS} }}
  }}
}}"""

UNPUBLISH = f"""
mutation Unpublish($id: ID!) {{ unpublishWorkflow(id: $id) {{ {WORKFLOW_FIELDS} }} }}"""

RESTORE = """
mutation Restore($id: ID!, $version: Int!) {
  restoreVersion(id: $id, version: $version) { number spec message }
}"""

DELETE = "mutation Delete($id: ID!) { deleteWorkflow(id: $id) }"

TRIGGER = """
mutation Trigger($id: ID!, $conf: JSON) {
  triggerRun(id: $id, conf: $conf) { id version dagId airflowRunId conf triggeredBy }
}"""

CANCEL = "mutation Cancel($id: ID!) { cancelRun(id: $id) { id recordedState } }"

WORKFLOW = f"""
query Workflow($id: ID!) {{
  workflow(id: $id) {{
    {WORKFLOW_FIELDS}
    versions {{ number message createdBy spec }}
  }}
}}"""

VERSION = """
query Version($id: ID!, $number: Int!) {
  workflow(id: $id) { version(number: $number) { number spec problems { code } } }
}"""

DIFF = """
query Diff($id: ID!, $from: Int!, $to: Int!) {
  workflow(id: $id) {
    diff(fromVersion: $from, toVersion: $to) {
      fromVersion toVersion nodesAdded nodesRemoved
      nodesChanged { nodeId fields }
      edgesAdded { source target } edgesRemoved { source target }
      paramsChanged { nodeId path change before after }
      settingsChanged { path change before after }
    }
  }
}"""

WORKFLOWS = """
query Workflows($filter: WorkflowFilter, $first: Int! = 20, $after: String) {
  workflows(filter: $filter, first: $first, after: $after) {
    nodes { id name publishedVersion versions { number } }
    pageInfo { endCursor hasNextPage }
  }
}"""

RUN = """
query Run($id: ID!) {
  run(id: $id) {
    id version state start end
    nodes { nodeId type state tryNumber start end logUrl }
  }
}"""

RUN_UPDATES = """
subscription Updates($runId: ID!) {
  runUpdates(runId: $runId) {
    runId runState node { nodeId state tryNumber start end logUrl }
  }
}"""
