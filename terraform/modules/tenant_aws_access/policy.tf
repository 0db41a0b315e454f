# What the tenant's role may do: one group of statements per service it was given, and its S3
# locations. Resource "*" appears only where the service authorises these actions on no
# resource (Comprehend's built-in detection and its PII jobs, Translate, Textract, Rekognition
# without collections or custom models, Transcribe, Polly without lexicons); Bedrock, Kinesis,
# Glue and S3 are narrowed to the tenant's models, streams, Airloom's jobs and granted prefixes.

locals {
  no_conditions = []

  service_statements = {
    comprehend = [{
      sid = "ComprehendDetectAndPiiJobs"
      actions = [
        "comprehend:BatchDetectDominantLanguage", "comprehend:BatchDetectEntities",
        "comprehend:BatchDetectKeyPhrases", "comprehend:BatchDetectSentiment",
        "comprehend:DetectDominantLanguage", "comprehend:DetectEntities",
        "comprehend:DetectKeyPhrases", "comprehend:DetectSentiment", "comprehend:DetectPiiEntities",
        "comprehend:StartPiiEntitiesDetectionJob", "comprehend:DescribePiiEntitiesDetectionJob",
      ]
      resources  = ["*"]
      conditions = local.no_conditions
    }]
    translate = [{
      sid = "TranslateTextAndJobs"
      # Source language "auto" has Translate call Comprehend as the caller.
      actions = [
        "translate:TranslateText", "translate:StartTextTranslationJob",
        "translate:DescribeTextTranslationJob", "comprehend:DetectDominantLanguage",
      ]
      resources  = ["*"]
      conditions = local.no_conditions
    }]
    textract = [{
      sid = "TextractDocuments"
      actions = [
        "textract:DetectDocumentText", "textract:AnalyzeDocument",
        "textract:StartDocumentTextDetection", "textract:GetDocumentTextDetection",
        "textract:StartDocumentAnalysis", "textract:GetDocumentAnalysis",
      ]
      resources  = ["*"]
      conditions = local.no_conditions
    }]
    rekognition = [{
      sid        = "RekognitionImageLabels"
      actions    = ["rekognition:DetectLabels", "rekognition:DetectModerationLabels"]
      resources  = ["*"]
      conditions = local.no_conditions
    }]
    transcribe = [{
      sid        = "TranscribeJobs"
      actions    = ["transcribe:StartTranscriptionJob", "transcribe:GetTranscriptionJob"]
      resources  = ["*"]
      conditions = local.no_conditions
    }]
    polly = [{
      sid        = "PollySpeech"
      actions    = ["polly:SynthesizeSpeech"]
      resources  = ["*"]
      conditions = local.no_conditions
    }]
    # Converse and embeddings are both authorised as InvokeModel, on the listed models only.
    bedrock = [{
      sid        = "BedrockListedModels"
      actions    = ["bedrock:InvokeModel"]
      resources  = local.bedrock_model_arns
      conditions = local.no_conditions
    }]
    # A tenant's streams are always named <tenant>.<name>; tenant names hold no dot.
    kinesis = [{
      sid = "KinesisTenantStreams"
      actions = [
        "kinesis:DescribeStreamSummary", "kinesis:ListShards", "kinesis:GetShardIterator",
        "kinesis:GetRecords", "kinesis:PutRecord", "kinesis:PutRecords",
      ]
      resources  = ["${local.arn_prefix}:kinesis:${local.region}:${local.account_id}:stream/${var.tenant}.*"]
      conditions = local.no_conditions
    }]
    # Runs of Airloom's Glue jobs; a job's own role decides what its Spark code reaches.
    glue = [{
      sid        = "GlueAirloomJobRuns"
      actions    = ["glue:GetJob", "glue:StartJobRun", "glue:GetJobRun", "glue:BatchStopJobRun"]
      resources  = ["${local.arn_prefix}:glue:${local.region}:${local.account_id}:job/airloom-*"]
      conditions = local.no_conditions
    }]
  }

  # A cross-region inference profile (eu.anthropic.…) is invoked through the profile, which
  # sends the call to its foundation model in any of its regions.
  bedrock_model_arns = flatten([
    for id in var.bedrock_model_ids : can(regex("^(us|eu|apac|us-gov|jp|au|ca|global)\\.", id)) ? [
      "${local.arn_prefix}:bedrock:${local.region}:${local.account_id}:inference-profile/${id}",
      "${local.arn_prefix}:bedrock:*::foundation-model/${join(".", slice(split(".", id), 1, length(split(".", id))))}",
    ] : ["${local.arn_prefix}:bedrock:${local.region}::foundation-model/${id}"]
  ])

  # s3://bucket/some/prefix/ -> { bucket = "bucket", key = "some/prefix" } (key "" for a bucket).
  read_locations = [
    for uri in distinct(var.s3_read_prefixes) : {
      bucket = split("/", trimsuffix(trimprefix(uri, "s3://"), "/"))[0]
      key    = join("/", slice(split("/", trimsuffix(trimprefix(uri, "s3://"), "/")), 1, length(split("/", trimsuffix(trimprefix(uri, "s3://"), "/")))))
    }
  ]
  write_locations = [
    for uri in distinct(var.s3_write_prefixes) : {
      bucket = split("/", trimsuffix(trimprefix(uri, "s3://"), "/"))[0]
      key    = join("/", slice(split("/", trimsuffix(trimprefix(uri, "s3://"), "/")), 1, length(split("/", trimsuffix(trimprefix(uri, "s3://"), "/")))))
    }
  ]
  # A granted location covers the objects below it, as Airloom's grants do (s3://b/p covers
  # s3://b/p/x, not s3://b/px).
  read_object_arns = [
    for location in local.read_locations :
    location.key == "" ? "${local.arn_prefix}:s3:::${location.bucket}/*" : "${local.arn_prefix}:s3:::${location.bucket}/${location.key}/*"
  ]
  write_object_arns = [
    for location in local.write_locations :
    location.key == "" ? "${local.arn_prefix}:s3:::${location.bucket}/*" : "${local.arn_prefix}:s3:::${location.bucket}/${location.key}/*"
  ]

  s3_statements = concat(
    [for arns in [local.read_object_arns] : {
      sid        = "ReadGrantedObjects"
      actions    = ["s3:GetObject"]
      resources  = arns
      conditions = local.no_conditions
    } if length(arns) > 0],
    # Listing is a bucket action: each location lists only below its own prefix.
    [for index, location in local.read_locations : {
      sid       = "ListGrantedLocation${index}"
      actions   = ["s3:ListBucket"]
      resources = ["${local.arn_prefix}:s3:::${location.bucket}"]
      conditions = location.key == "" ? local.no_conditions : [{
        test     = "StringLike"
        variable = "s3:prefix"
        values   = ["${location.key}/", "${location.key}/*"]
      }]
    }],
    [for arns in [local.write_object_arns] : {
      sid        = "WriteGrantedObjects"
      actions    = ["s3:PutObject"]
      resources  = arns
      conditions = local.no_conditions
    } if length(arns) > 0],
    # Locations in the lake are encrypted with the environment's key: used through S3 only.
    [for any in [length(local.read_locations) + length(local.write_locations)] : {
      sid = "EnvironmentKeyThroughS3"
      actions = concat(
        length(local.read_locations) > 0 ? ["kms:Decrypt"] : [],
        length(local.write_locations) > 0 ? ["kms:GenerateDataKey"] : [],
      )
      resources = [var.kms_key_arn]
      conditions = [{
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${local.region}.amazonaws.com"]
      }]
    } if any > 0],
  )

  # Comprehend and Translate batch jobs need the data-access role handed to them.
  pass_data_access_role = [for services in [local.data_access_services] : {
    sid        = "PassDataAccessRoleToJobs"
    actions    = ["iam:PassRole"]
    resources  = [aws_iam_role.data_access[0].arn]
    conditions = [{ test = "StringEquals", variable = "iam:PassedToService", values = services }]
  } if length(services) > 0]

  tenant_statements = concat(
    flatten([for service in sort(tolist(var.ai_services)) : local.service_statements[service]]),
    local.s3_statements,
    local.pass_data_access_role,
  )
}
