import type * as ecs from '@aws-sdk/client-ecs';
import type * as efs from '@aws-sdk/client-efs';
import type * as sqs from '@aws-sdk/client-sqs';
import type { SimOperation } from './ops.js';

/** Input and output types of each operation, as the AWS SDK declares them (`[input, output]`). */
export interface SimOpTypes {
  RegisterTaskDefinition: [ecs.RegisterTaskDefinitionRequest, ecs.RegisterTaskDefinitionResponse];
  DescribeTaskDefinition: [ecs.DescribeTaskDefinitionRequest, ecs.DescribeTaskDefinitionResponse];
  DeregisterTaskDefinition: [ecs.DeregisterTaskDefinitionRequest, ecs.DeregisterTaskDefinitionResponse];
  ListTaskDefinitions: [ecs.ListTaskDefinitionsRequest, ecs.ListTaskDefinitionsResponse];
  RunTask: [ecs.RunTaskRequest, ecs.RunTaskResponse];
  StopTask: [ecs.StopTaskRequest, ecs.StopTaskResponse];
  DescribeTasks: [ecs.DescribeTasksRequest, ecs.DescribeTasksResponse];
  ListTasks: [ecs.ListTasksRequest, ecs.ListTasksResponse];
  TagResource: [ecs.TagResourceRequest, ecs.TagResourceResponse];
  UntagResource: [ecs.UntagResourceRequest, ecs.UntagResourceResponse];
  ListTagsForResource: [ecs.ListTagsForResourceRequest, ecs.ListTagsForResourceResponse];
  CreateAccessPoint: [efs.CreateAccessPointRequest, efs.AccessPointDescription];
  DescribeAccessPoints: [efs.DescribeAccessPointsRequest, efs.DescribeAccessPointsResponse];
  DeleteAccessPoint: [efs.DeleteAccessPointRequest, Record<string, never>];
  EfsTagResource: [efs.TagResourceRequest, Record<string, never>];
  EfsUntagResource: [efs.UntagResourceRequest, Record<string, never>];
  EfsListTagsForResource: [efs.ListTagsForResourceRequest, efs.ListTagsForResourceResponse];
  CreateQueue: [sqs.CreateQueueRequest, sqs.CreateQueueResult];
  GetQueueUrl: [sqs.GetQueueUrlRequest, sqs.GetQueueUrlResult];
  GetQueueAttributes: [sqs.GetQueueAttributesRequest, sqs.GetQueueAttributesResult];
  SendMessage: [sqs.SendMessageRequest, sqs.SendMessageResult];
  ReceiveMessage: [sqs.ReceiveMessageRequest, sqs.ReceiveMessageResult];
  DeleteMessage: [sqs.DeleteMessageRequest, Record<string, never>];
  DeleteMessageBatch: [sqs.DeleteMessageBatchRequest, sqs.DeleteMessageBatchResult];
}

export type SimInput<K extends SimOperation> = SimOpTypes[K][0];
export type SimOutput<K extends SimOperation> = SimOpTypes[K][1];
