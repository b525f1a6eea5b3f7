import { Entity, JoinTable, ManyToMany, PrimaryGeneratedColumn } from 'typeorm';

@Entity()
export class Student {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @ManyToMany(() => Course, (course) => course.students)
  @JoinTable({
    name: 'enrolment',
    joinColumn: { name: 'student_id', referencedColumnName: 'id' },
    inverseJoinColumn: { name: 'course_id', referencedColumnName: 'id' },
  })
  courses!: Course[];
}

@Entity()
export class Course {
  @PrimaryGeneratedColumn() id!: number;
  @ManyToMany(() => Student, (student) => student.courses) students!: Student[];
}

export const entities = [Student, Course];
